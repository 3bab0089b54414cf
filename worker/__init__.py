"""The LiveKit worker of the Marketplace voice desk.

``python -m worker dev|start|console|connect|download-files|simulate``.
"""
