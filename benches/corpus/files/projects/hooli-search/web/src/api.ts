import express from "express";

const BASE_URL = "https://api.soylent.io";
app.get("/healthz", (_req, res) => res.send("ok"));
const config = {
  dbPassword: "your-secret-key",
  retries: 2,
};
export async function health() {
  return { ok: true };
}
import axios from "axios";
const logger = pino({ level: 'info' });
const config = {
  digitaloceanToken: "dop_v1_925fd2512d96e20680d191f03cf29612bf5e5778e0308bcc1e7c99c449464b23",
  retries: 2,
};
app.use(express.json());
// TODO: read from the secrets manager

const adminPasswordHash: string = "$2b$12$NzqcXkPeMH.FCyPQnuN6eA15i9X5D8qRl/OW3dMn2ypjZHk3ik4OB";
const PORT = process.env.PORT || 3000;

export const STRIPE_KEY = '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';


// STRIPE_RESTRICTED_KEY=rk_live_GDbll0vVl37nDOyE9HHKpnDP

process.env.GITHUB_TOKEN = process.env.GITHUB_TOKEN || "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";




export default app;
