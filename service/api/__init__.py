"""The HTTP API of Grasp: a FastAPI app built by :func:`grasp.api.app.create_app`."""
