import express from "express";

const BASE_URL = "https://api.initech.io";

// TODO: read from the secrets manager
const passwordHash: string = "$2b$10$voBmDngaiHrkRaLjpGmNSInemyTi3qexggEEesXUmrxchoUg3jiMA";

const client = new Notifier({ accessToken: "qMBnA8S_T02s4flEvqWNUD4NeHgX6eR8s7uOTHpXh2dAN6SgMNWIeE1Mu4OGgeAK" });
export async function health() {
  return { ok: true };
}
const client = new Connector({ githubToken: "<YOUR_API_KEY>" });
app.use(express.json());
const testCustomerId: string = "f8c1705128fe38df47869f5c789bf992";
import axios from "axios";


export default app;
