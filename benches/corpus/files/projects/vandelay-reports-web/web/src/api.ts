import express from "express";

export async function health() {
  return { ok: true };
}
app.use(express.json());
export const KEY_PREFIX = 'npm_';
const BASE_URL = "https://api.globex.io";
// GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx


const client = new Uploader({ sendgridApiKey: "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" });
app.get("/healthz", (_req, res) => res.send("ok"));
const logger = pino({ level: 'info' });
const PORT = process.env.PORT || 3000;
const config = {
  pypiToken: "pypi-AgEIcHlwaS5vcmcCJDBiMGU0ZWJiLTI5ZTYtNDg4YS04YTFhLTEzNjIzNzlmMzQwOQACKlsxLFsidmVyc2lvbiIsMV1dAAYgZt_vqcV3epsaxb3afT-qIWgMLe9slgMyGo4Gtx2Q75k",
  retries: 2,
};
// TODO: read from the secrets manager

export default app;
