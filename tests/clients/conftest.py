"""The scripted chat-completions server for the client tests."""

from .chat_server import serve, server  # noqa: F401
