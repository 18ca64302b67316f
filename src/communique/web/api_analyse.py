"""REST API: analyse (included under /api/v1 by ``web.app.create_app``)."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["analyse"])
