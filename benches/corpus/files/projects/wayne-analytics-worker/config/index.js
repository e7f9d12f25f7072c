import express from "express";

export async function health() {
  return { ok: true };
}
const patPrefix = "github_pat_";
import axios from "axios";
const s3 = new S3Client({
  region: "us-east-1",
  credentials: {
    accessKeyId: "AKIAIOSFODNN7EXAMPLE",
    secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  },
});
const PORT = process.env.PORT || 3000;
const BASE_URL = "https://api.vandelay.io";
const privateKey = `-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAABFwAAAAdzc2gtcn
NhAAAAAwEAAQAAAQEAtCdTl4qVKyXc+ZofzVMGVuM4Yj/AENT7R6oOVtzH8OGRU6JZf+l3
qt9mQ3VjXKt9QQEBJVYeV4de4tFE/HHQuhbPBCx2u4EfsdcsJvBzQNyOtmfKNFV1sKfMAY
giYleias+hMmvCI6idZZ4avBtSR6QDhuc5pEOysXhZrzqoGuLUnztmfIL2WLaYvxk8CzgR
XEkTeoDwW6cx22jjABGL+0pBOHyBPrwhUd7OmaQITFxxObq20qpdDdTFNAuRE90VOkeTQ3
fmrjnc5KweygjZRjFvkn7gDMkOyzVDodtfWw23qURZIgt9bzUtScQsu5kd2xbqiTJUAUx5
Ovb6xCxUFwAAA8gsvtPYLL7T2AAAAAdzc2gtcnNhAAABAQC0J1OXipUrJdz5mh/NUwZW4z
hiP8AQ1PtHqg5W3Mfw4ZFToll/6Xeq32ZDdWNcq31BAQElVh5Xh17i0UT8cdC6Fs8ELHa7
gR+x1ywm8HNA3I62Z8o0VXWwp8wBiCJiV6Jqz6Eya8IjqJ1lnhq8G1JHpAOG5zmkQ7KxeF
mvOqga4tSfO2Z8gvZYtpi/GTwLOBFcSRN6gPBbpzHbaOMAEYv7SkE4fIE+vCFR3s6ZpAhM
XHE5urbSql0N1MU0C5ET3RU6R5NDd+auOdzkrB7KCNlGMW+SfuAMyQ7LNUOh219bDbepRF
kiC31vNS1JxCy7mR3bFuqJMlQBTHk69vrELFQXAAAAAwEAAQAAAQBwiVx7frNeB8H5HeEd
1u5P2pK/NQmauiDaDI32juZLP+0TbIgyEjqRwAnWu/68xddxgtofY6OCk+qfD5DjjYmQpW
zeM5Rb3vZYloxbKrskWmK/6Sfz9yqUls0ma87m1c18oYUVxSC6O7tO3ivfM8X7QKZ/X/Ou
/CclG4QSpTaby+fSHzk740E9cGc56HIqvRsVhKoPkyjUodhNdbneX2pBHhNK0gBKhii1Mx
gUsdKKNFPbHFknyt/QgM3mz4hyfgtji3T/OEl2FYNJ2qUOlCfnqzJ8BQNuMdGVwe6EI/sb
v+7+dUjvxkA1T0q4UWTZX2SiEOLo0OhYtkE97sFSoqoJAAAAgQCmicvtIVNbqyuI4CMrhf
FaIcaOb3veV5XDGVSjicy00kJ/ssCZOcJl/Y8avmvUak6HnbQXrWzrb9VUcD1VPE7aTqA+
qeSgZKqd5cl+iUGounxTGGZ1hzmAWWUqBd8F7D2wJ07YiRkgP9M0uV7+3AZ2mGG6aVIRJA
lFThb15nC3PAAAAIEA4iihhAuYtkUtZxdvH6USygkvwLpx0xOHZBTNU0yj/Vt+FLenUiOv
b4nwk+ivvrFsdpzYPpEo3cWihu6NRIf0kPpHCdrC7W3CSsEfuPPNHHYlpActOV/It4cWAc
aWVrF0shwpdIFcUAHt4ufpXwXSOPDVTWqjaeZiXCR0os1CTdMAAACBAMvssun07GT0ENWX
4ioJPXLHzdfqwSpm+sXR4DHIixMYVREDyrPzpTPToBTJHgOBsa2KEUX5FL5v4alyk4VRuB
evNceHxv9T3vWDNEJpOePL1+FJBo2y/Yc/5eBJjFAE/ozjCoal2sGTBqUMx3SA148X25Fd
fd4B73kQrmIi0wItAAAAD2FwcEBzaGlwcGluZy1jaQECAw==
-----END OPENSSH PRIVATE KEY-----`;
app.use(express.json());

export default app;
