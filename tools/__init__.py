"""Function tools, one module per domain. Thin: validate → one service call → a speakable sentence.

Identity and ownership always come from ``CustomerContext`` (``ctx.userdata``), never from a
model-supplied argument. Failures the caller should hear are raised as ``ToolError``.
"""
