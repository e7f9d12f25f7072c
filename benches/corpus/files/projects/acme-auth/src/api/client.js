import express from "express";

export async function health() {
  return { ok: true };
}
const webhookSecret = "k#2b5j8#&kg^3m4jm_wmnzwxjm@^4unagzn#2qgc7j@wp9lg=k";
app.get("/healthz", (_req, res) => res.send("ok"));
if (password.length < MIN_PASSWORD_LENGTH) throw new Error("weak password");
app.use(express.json());
const BASE_URL = "https://api.acme.io";
const PORT = process.env.PORT || 3000;
const mongodbUri = "mongodb+srv://etl:bZl9x-asB3SMESH2t.@cluster0.4ifa8.mongodb.net/orders?retryWrites=true&w=majority";
import axios from "axios";

const logger = pino({ level: 'info' });
const apiKey = process.env.API_KEY;
// TODO: read from the secrets manager

export default app;
