"""Structured steps led by code: identity verification (:mod:`.verification`) and request routing
(:mod:`.routing`). The LLM converses around them; it never decides what the caller said."""
