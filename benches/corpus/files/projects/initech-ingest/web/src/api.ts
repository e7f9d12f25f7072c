import express from "express";

app.get("/healthz", (_req, res) => res.send("ok"));
// TODO: read from the secrets manager
const keyPrefix: string = "dop_v1_";
import axios from "axios";
const config = {
  stripeSecretKey: process.env.STRIPE_SECRET_KEY ?? '',
};
const logger = pino({ level: 'info' });
app.use(express.json());

const config = {
  serviceToken: "rU5yYwxyKz7qJI630BYOkIrnvKUpBe-eaexfKchIG-0y2uBakDepeU6rZNwAv5NK",
  retries: 3,
};
export async function health() {
  return { ok: true };
}

export default app;
