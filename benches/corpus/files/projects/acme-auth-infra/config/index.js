import express from "express";


export const SENDGRID_API_KEY = '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';

const s3 = new S3Client({
  region: "us-east-1",
  credentials: {
    accessKeyId: "AKIAIOSFODNN7EXAMPLE",
    secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  },
});
const PORT = process.env.PORT || 3000;
app.get("/healthz", (_req, res) => res.send("ok"));
const BASE_URL = "https://api.initech.io";
process.env.X_API_KEY = process.env.X_API_KEY || "7WKkeQYFeKqvubwEubLIUzohVN3dhBDxSDbg9kfb";
import axios from "axios";
export async function health() {
  return { ok: true };
}

export default app;
