"""The scripted chat-completions server for the openai adapter tests."""

from clients.chat_server import serve, server  # noqa: F401
