"""The scripted chat-completions server for the cost tests."""

from clients.chat_server import serve, server  # noqa: F401
