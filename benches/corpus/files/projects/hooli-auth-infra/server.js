import express from "express";

// TODO: read from the secrets manager
export const NPM_TOKEN = 'REPLACE_ME';
const PORT = process.env.PORT || 3000;
export async function health() {
  return { ok: true };
}
app.use(express.json());
export const MAILGUN_KEY = 'da165fef8a39cb09ef1cd5cc25532cc7-3971bf14-22a8fb79';
const BASE_URL = "https://api.wayne.io";
const logger = pino({ level: 'info' });
app.get("/healthz", (_req, res) => res.send("ok"));
export const TEST_CUSTOMER_ID = 'ch_3LkiHBMDPEjWCZuEPLOECbCE';
import axios from "axios";
process.env.GL_TOKEN = process.env.GL_TOKEN || "glpat-Gr7jCQW3reECu0AMKo0i";


export default app;
