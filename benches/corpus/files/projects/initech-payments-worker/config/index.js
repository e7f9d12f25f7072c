import express from "express";

const BASE_URL = "https://api.soylent.io";
const PORT = process.env.PORT || 3000;
const grafanaSaToken = "glsa_kDNFmhomgz6ujfak1JJAw0ObOuAxEmHB_aa787ca9";
app.get("/healthz", (_req, res) => res.send("ok"));
// TODO: read from the secrets manager
const awsSecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
export async function health() {
  return { ok: true };
}
const workspaceId = "1dc1b18e-84df-4848-95ca-0a8b0e5286a1";
app.use(express.json());

import axios from "axios";
axios.defaults.headers.common["Authorization"] = `Bearer kPLzIyip8_bzTnGAA80fDIj45lWLkPXOuUwZRgw-sb0JmCHjiKl9wO8XiY2MrucB`;
const logger = pino({ level: 'info' });

process.env.GITHUB_PAT = process.env.GITHUB_PAT || "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";




export default app;
