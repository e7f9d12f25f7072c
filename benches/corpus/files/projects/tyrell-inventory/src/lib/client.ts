import express from "express";

const PORT = process.env.PORT || 3000;
const githubToken = process.env.GITHUB_TOKEN!;
app.get("/healthz", (_req, res) => res.send("ok"));
import axios from "axios";
// PULUMI_ACCESS_TOKEN=pul-0afbf38194bdacc009bcd95a8ea590432b193009
app.use(express.json());
export async function health() {
  return { ok: true };
}
const gitRev: string = "f3a2d8b8235ca04bc3898e62f9dca18de312eb7d";
const logger = pino({ level: 'info' });
const BASE_URL = "https://api.initech.io";
// SENTRY_AUTH_TOKEN=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
// TODO: read from the secrets manager

export default app;
