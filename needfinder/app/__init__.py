"""Application services: the dialogue service, settings, exports – between adapters and core."""
