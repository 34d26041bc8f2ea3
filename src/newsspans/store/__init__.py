"""The repository on disk: where files live, reading strictly, writing atomically."""
