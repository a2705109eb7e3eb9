"""Mattermost Playbooks: the plugin's client, the cycle run (pure) and the target."""
