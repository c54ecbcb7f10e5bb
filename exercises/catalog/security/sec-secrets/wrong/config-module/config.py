"""Configuration of app.py."""
PAYMENT_API_KEY = "pk_live_7Hq2xLm9Rt4vWz8N"
APP_SECRET_KEY = "dev-secret-key-do-not-use-4b1e"
