import express from "express";

app.get("/healthz", (_req, res) => res.send("ok"));
import axios from "axios";
const config = {
  stripeKey: "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",
  retries: 5,
};
export async function health() {
  return { ok: true };
}
const secretHeader = "X-Webhook-Secret";
const PORT = process.env.PORT || 3000;
const res = await fetch("https://grafana.vandelay.io/api/dashboards/db", { headers: { "Authorization": "Bearer glsa_ctGruhoH7h9CfSCtmvJqlpkscdldRU5j_5240f872" } });
app.use(express.json());

// TODO: read from the secrets manager
const placeholderImg = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAA00lEQVR4nAHIADf/AOEOVjXsQYrBIJU3M+oTkixTavWsSnqcxwA899R6gjHYYOazvPFjqORvzpFoxkWHnU0AQekhvoVH1XWHCdugYbjqCpZkcxvLNkv/ACIOCBj39vGY2Ci4vu/pCzONJjvjLuwaQADO0CmtlCLX89iVvvsHZGuxH9H9Z/3lFnYAB8UzszYSKfU74bUOcTovdAxLSvXV8iUCAAfWySnx5x7L+TWASxU8SB3FjzBh7cMpbgA9kHMKUshQ+DJ64DxRzqsKnOsDrYlqbip9FF/nF91K5QAAAABJRU5ErkJggg==";
const logger = pino({ level: 'info' });
const BASE_URL = "https://api.soylent.io";

const redis = new Redis("redis://default:wADoqVVoEM75EJCEl2_2E@redis-35869.c150.us-east-1-2.ec2.cloud.redislabs.com:87543");


export default app;
