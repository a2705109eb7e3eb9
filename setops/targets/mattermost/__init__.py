"""Mattermost: the API client (`client`) and the channel-header target (`target`)."""
