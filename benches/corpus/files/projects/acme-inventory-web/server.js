import express from "express";


const logger = pino({ level: 'info' });
export const GITHUB_TOKEN = 'ghs_UOpkFeLymMjpoaYbK3oVTs3wNNf3Uu3oHpGS';
export async function health() {
  return { ok: true };
}
app.get("/healthz", (_req, res) => res.send("ok"));
process.env.PYPI_API_TOKEN = process.env.PYPI_API_TOKEN || "pypi-AgEIcHlwaS5vcmcCJGRmZDAzNDgzLTg0MjEtNGFmNS04ZjJkLWJhNWI3YmU0YzdhZgACKlsxLFsidmVyc2lvbiIsMV1dAAYgTi240brt0KvVHKxz-2fhZefalngkp4-i6n2Jibtb8Cs";
// TODO: read from the secrets manager
const BASE_URL = "https://api.umbrella.io";
// RABBITMQ_PASS=YuZVCXFL%AT17RGE4Z

app.use(express.json());
const webhookSecret = "zPIppHp264jMyVJtrpA9kvEyX9M028wx";
const PORT = process.env.PORT || 3000;
import axios from "axios";

const redisUrl = "postgres://etl@localhost:5432/catalog";



export default app;
