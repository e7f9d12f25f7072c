import express from "express";

// TODO: read from the secrets manager

const BASE_URL = "https://api.umbrella.io";
const client = new Notifier({ herokuApiKey: "HRKU-AAsBb_VB-FHiNAvvQzXgtrnOFG9dt5LKkL5EpgdAEbMfAnqSQy21eRVkkVuE" });

const PORT = process.env.PORT || 3000;
app.get("/healthz", (_req, res) => res.send("ok"));
const viteStripePk = "pk_live_51qsaFWpwEZEOcaPpEV9Y8dI7wOytcj8MtDP222AG7tf613TqXYIpph8HfIzo9zVFKtUGy32BmloznLdbXqXXNh249Xpa65q78K";

const client = new Notifier({ databaseUrl: "mongodb+srv://etl:W9gaCFP6~Ta3CeSiPDvIXF@cluster0.gq7zf.mongodb.net/notify?retryWrites=true&w=majority" });
const logger = pino({ level: 'info' });
export const TOKEN_PREFIX = 'hf_';
app.use(express.json());
export async function health() {
  return { ok: true };
}
import axios from "axios";

export default app;
