"""A typed client for the mobile-number operations of MegaFon's Virtual PBX Data API.

    from vpbx_client import Client, AsyncClient

Answers are the generated models of openapi/openapi.yaml (generated/models.py); every error
status is an exception of vpbx_client.errors. docs/client.md has an example and the retry
policy.
"""

from vpbx_client.async_client import AsyncClient
from vpbx_client.client import Client
from vpbx_client.errors import (
    AddOutcomeUnknown,
    ApiError,
    Conflict,
    Forbidden,
    InvalidInput,
    MethodNotAllowed,
    NetworkError,
    NotConnectable,
    NotFound,
    LengthRequired,
    PayloadTooLarge,
    RateLimited,
    ServerError,
    TimedOut,
    Unauthorized,
    UnexpectedResponse,
    UnsupportedMediaType,
    VpbxError,
)
from vpbx_client.options import DEFAULT_TIMEOUT, __version__
from vpbx_client.retry import RetryPolicy
from vpbx_client.routes import PRODUCTION_BASE_URL

__all__ = [
    "PRODUCTION_BASE_URL", "DEFAULT_TIMEOUT", "AddOutcomeUnknown", "ApiError", "AsyncClient", "Client",
    "Conflict", "Forbidden", "InvalidInput", "MethodNotAllowed", "NetworkError", "NotConnectable",
    "LengthRequired", "NotFound", "PayloadTooLarge", "RateLimited", "RetryPolicy", "ServerError", "TimedOut",
    "Unauthorized", "UnexpectedResponse", "UnsupportedMediaType", "VpbxError", "__version__",
]
