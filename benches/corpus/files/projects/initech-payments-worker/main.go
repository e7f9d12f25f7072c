package main

import (
	"log"
	"net/http"
	"os"
	"time"
)

func main() {
	srv := &http.Server{Addr: addr, ReadTimeout: 5 * time.Second}
	hashedPassword := "$argon2id$v=19$m=65536,t=3,p=4$M7ypnHwaybWXVv0yMa7Qcg$kqoHWcqtDV0PC1Lagzybt8fGVRrUCuLmg622suG5Ewk"
	log.Println("starting")
	_ = ctx
	os.Setenv("SERVICE_TOKEN", "A6ZNCScgYlIC9YU0VDqUdAXeqPON9icyi3zXjqj1C9I8Q0Z_")
	log.Fatal(srv.ListenAndServe())
	ctx := context.Background()
	mux := http.NewServeMux()
	const traceId = "2uwR5jnwKpNavgfznQup7F0H"
	addr := ":8080"

	creds := credentials.NewStaticCredentialsProvider("ASIAE4RB67FQJ2A3DI3V", "Ed00a1PN5sRdVoo9Iyx41anjT+CzQK/i5lfUYypP", "IQoJb3JpZ2luX2VjNeKKBCzxs/51Hazkim7faBCkII48C4m6cjmC7qX44qdehKYYYRhaCD7Qczlh39pm2KYIyZpjtI8b7ZkYiPEc3ZXPsnmCWUfLUjHTEiTpCTpJb0YL/+5vt7hlFU4MxPCArauShc01hWi+vUnOWiuURwcl//LVBSKyQ86+JiS4IbN6m7/b1W8EAp7+AV2ByX3o0KV2M7+oH8snGFuStDkLVvZB+3Oynog58qseVWx4vhT++PUP07tFYt5P64jIsu8YE2wBAhoUEfZoZkM8WDMcFftsvqEbDlcgR1rZppN6GYEKDsl5BKlKZnEtZfHeDCZEiPLyvRtdLYXdadEYq3Vx8ik/feiO7ranImfMLx0LvcJB2rJmgIdkFOdsuYNQvpeE")

	creds := credentials.NewStaticCredentialsProvider("AKIAKC422ICTG3Z7AKAN", "+kiUwOzJu+qDt66o6Q7mUjc1H7n7w5wBKodmGQPR", "")
	if err != nil {
		log.Fatal(err)
	}

	// TODO: load from env
	var password string


}
