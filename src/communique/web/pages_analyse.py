"""Web pages: analyse (included by ``web.app.create_app``)."""

from fastapi import APIRouter

router = APIRouter()
