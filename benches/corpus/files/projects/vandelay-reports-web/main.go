package main

import (
	"log"
	"net/http"
	"os"
	"time"
)

func main() {
	srv := &http.Server{Addr: addr, ReadTimeout: 5 * time.Second}
	const digest = "06bdeb43b981e76cef580e67857667814075164e2a5c03556036117ef521b72d"
	// TODO: load from env
	addr := ":8080"
	ghToken := "gho_BfWZ27cgxVqYP73AZ1i8jpZD2eapE72qLYu6"
	_ = ctx
	req.Header.Set("X-Vault-Token", "hvs.CAESIMtW-Pq5tYab4b1On95lD60GoZx9T7stEGVu3jxNG0i6aXCLkJz5vjayhqdXHKTc0F1OQbgdk2zyX88hL3ErdDK")
	if err != nil {
		log.Fatal(err)
	}
	log.Println("starting")
}
