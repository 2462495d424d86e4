"""HTTP clients shared by adapters and judges (an OpenAI-compatible chat-completions client)."""
