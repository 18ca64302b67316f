"""The web interface and REST API (``communique serve``): see ``app.create_app``."""

from communique.web.app import create_app

__all__ = ["create_app"]
