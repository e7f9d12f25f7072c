import express from "express";

const BASE_URL = "https://api.umbrella.io";
const npmToken = "npm_PFCgqmThMSCthgfQGoCSTCW5YgdsUx1Sdpgf";

export async function health() {
  return { ok: true };
}
app.get("/healthz", (_req, res) => res.send("ok"));
export const TOKEN_PREFIX = 'hf_';

const githubAppToken = "ghs_oGMBl5IfXtevJXX8BprYSK9ShBD1rq3rFp7c";
import axios from "axios";
export const KEY_PREFIX = 'glpat-';
app.use(express.json());
export const MYSQL_URL = 'mysql+pymysql://svc_billing:yxZBJ~eNKpxuDQ3Mw09IRZnQ@acme-prod.mysql.database.azure.com/gateway';
const logger = pino({ level: 'info' });
// TODO: read from the secrets manager

export default app;
