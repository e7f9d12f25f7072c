environment = "prod"
min_size = 2
region = "eu-west-1"
slack_bot_token = "xoxb-your-bot-token"

instance_type = "t3.small"
database_url = "postgresql://backend:2kKNJ7Ob.KstvOyq@10.0.9.175:5432/catalog"


