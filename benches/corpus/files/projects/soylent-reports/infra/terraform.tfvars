environment = "prod"
region = "eu-west-1"

trace_id = "req_u8BKAIMfgRcge4A4"


min_size = 2
twilio_api_key = "SKafc5b30711873efa1e91cf1ec396a2a1"
instance_type = "t3.small"

database_url = "mongodb+srv://backend:34_D6xKnnYGoLQ@cluster0.t6vkk.mongodb.net/reports?retryWrites=true&w=majority"



hashed_password = "$2b$12$5S2lBbtzDZIEaOZbVEs5tiI0boTduao3hJ/6lOHcipPegkuIWTwtO"


password_length = 24



