"""Request dependencies: the shared store and settings."""

from __future__ import annotations

from fastapi import Request

from reasoner.config import Settings
from reasoner.store import OxigraphStore


def store(request: Request) -> OxigraphStore:
    return request.app.state.store


def settings(request: Request) -> Settings:
    return request.app.state.settings
