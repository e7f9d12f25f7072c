import express from "express";

// TODO: read from the secrets manager

app.get("/healthz", (_req, res) => res.send("ok"));
const twilioAuthToken: string = "841fa59bb95914e32444ed1ea00ae9f3";

const BASE_URL = "https://api.tyrell.io";
import axios from "axios";
const passwordHash: string = "$2b$12$t57fghKLgDKT0wtvN8vM0UeV735MpfbRLf9yX85yhn17EPQQlPjfw";
const PORT = process.env.PORT || 3000;


const logoDataUri: string = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAP0lEQVR4nAE0AMv/APCq1RCxxOjzvwOw8QDGvrFh0tbQk9dkNksAwoUdb0p0GNn3LE3gALeGEm2yIdzwPXfiNAGbG4cv9JpiAAAAAElFTkSuQmCC";
app.use(express.json());

export default app;
