environment = "prod"
instance_type = "t3.small"
mailgun_api_key = "key-c1cc6e6dbe4bfb188666f60f47fbc828"
region = "eu-west-1"
min_size = 2
rabbitmq_url = "amqps://readonly:O.~VjsuL1d4gx-Goqqrh@rabbitmq.umbrella.internal:5672/inventory"

stripe_secret_key = "your-secret-key"


hashed_password = "$2b$10$O7AyRg0A2TbQrSya3BS6GfW9C.n3SJSZrv5rCN/7XS7zf1lKMVNte"


