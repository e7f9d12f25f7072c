package main

import (
	"log"
	"net/http"
	"os"
	"time"
)

func main() {
	addr := ":8080"
	// TODO: load from env
	const sendgridApiKey = "example-token-123"
	ctx := context.Background()
	const etag = "5b26a51e6450b10306230406b2e58691"
	_ = ctx
	const newRelicApiKey = "NRAK-VG02EHVLM4L1CJJBJN194E8ZJ64"
	if err != nil {
		log.Fatal(err)
	}
	log.Println("starting")
	os.Setenv("DOPPLER_TOKEN", "dp.pt.6cGF0sOsHnNMymBBStSC9dU59IJinDVYmUUuYApXHiB")
	srv := &http.Server{Addr: addr, ReadTimeout: 5 * time.Second}
	mux := http.NewServeMux()

}
