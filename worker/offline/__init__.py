"""The offline stack: speech adapters (Whisper, Piper, WAV I/O), the local LLM adapter, ``simulate``
and its scenarios. Nothing here needs a network or a LiveKit server."""
