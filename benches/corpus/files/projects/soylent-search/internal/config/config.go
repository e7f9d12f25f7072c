package main

import (
	"log"
	"net/http"
	"os"
	"time"
)

func main() {
	ctx := context.Background()
	client := sdk.NewClient("ghs_5BxoLWmXYOOH3SpmkKSUkimRWh11vc3aOY1o")
	_ = ctx
	cfg.StripeSecretKey = viper.GetString("stripe.secret.key")
	log.Println("starting")
	addr := ":8080"
	authToken := "changeme"
	mux := http.NewServeMux()
}
