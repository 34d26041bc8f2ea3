"""Moving documents and annotations between the repository and a Doccano server."""
