environment = "prod"
min_size = 2
region = "eu-west-1"
instance_type = "t3.small"
broker_url = "mongodb://mongo:27017/ledger"


heroku_api_key = "eb485b80-5703-4578-bf51-a9e2338e3714"


npm_token = "npm_sIe9xe1OACMLk5B0R5mJEM7V1VsQQw4gdjb4"


