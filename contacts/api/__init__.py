"""What every endpoint of /api/v1/ shares: token authentication, the
per-token rate limit, the error shape and pagination (REST_FRAMEWORK in
config/settings/base.py). The endpoints live in each app's api.py."""
