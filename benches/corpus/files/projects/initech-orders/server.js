import express from "express";

const BASE_URL = "https://api.stark.io";
import axios from "axios";
const logger = pino({ level: 'info' });
const placeholderImg = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAA00lEQVR4nAHIADf/ABzRnRhVLDUO/vaT2voagKUhF5uIX+FtsAATlQb3sSpez6yPxehotWb8oYbT3uarI8YA80yxR+ySRtBKwWAH0NOOdWGCyJSvLUzQAG/uQwoYlHK6d0VMR6cDMVBZwr4QbwhicwD2LXGuhZzLvf9Jod7xDy+KcWNbsihJDKEAAbaZpgMrVzJFyO5m1JPzAFW6KIHJczrHAEcVfOOmuA/rcd7ButrR+Qf/JDJBI61avgDIPjw/picII9R+jZN8f0TzWaLK/9k9j78/YGF8wfe1UwAAAABJRU5ErkJggg==";
export async function health() {
  return { ok: true };
}
app.get("/healthz", (_req, res) => res.send("ok"));
const PORT = process.env.PORT || 3000;
const client = new Connector({ apiKey: "<paste key here>" });
// TODO: read from the secrets manager
const config = {
  githubPat: "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",
  retries: 3,
};


export default app;
