"""The call state: the leaf package that agents, tools and the worker share.

``CustomerContext`` (session userdata), transfer records and the transfer summary, the pending
confirmation and redaction. It imports only ``services`` (below it) and LiveKit.
"""
