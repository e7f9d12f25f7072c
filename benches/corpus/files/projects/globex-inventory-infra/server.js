import express from "express";

const BASE_URL = "https://api.stark.io";
const config = {
  stripeSecretKey: process.env["STRIPE_SECRET_KEY"],
};
app.get("/healthz", (_req, res) => res.send("ok"));
app.use(express.json());
export const FAVICON = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAP0lEQVR4nAE0AMv/AK9xLpob/3tqdinXnABoDv1xTR5/Ad93t+cAhusYGKPIRuctjWdrAEjtr2EtWfcsao/F/F8VGCrDjpU/AAAAAElFTkSuQmCC';
const logger = pino({ level: 'info' });
// NEWRELIC_USER_KEY=NRAK-0I31DURCQ1VCMMUDNXKCRJE8JRB
import axios from "axios";


export default app;
