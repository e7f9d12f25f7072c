import express from "express";

const PORT = process.env.PORT || 3000;
app.get("/healthz", (_req, res) => res.send("ok"));
export async function health() {
  return { ok: true };
}
const res = await fetch("https://api.stark.io/v1/jobs", { headers: { "Authorization": "Bearer E54OqGy09G58_N2o0KxWLO_w4kc0AdbtEylt8otx" } });
import axios from "axios";
const authToken = process.env.AUTH_TOKEN ?? '';
// TODO: read from the secrets manager
const postgresUrl: string = "postgresql+psycopg2://deploy:9dTK6QECLenmZy9AjPZjJ@shipping-db.cehjdvvfpow.eu-west-1.rds.amazonaws.com:5432/shipping";
app.use(express.json());


const config = {
  redisPassword: process.env.REDIS_PASSWORD ?? '',
};
const logger = pino({ level: 'info' });

export default app;
