"""The built-in KVK test source (`knoop-esb kvk-testserver`): KVK's paths, JSON shapes and errors
over real HTTP, from a dataset written in code. See docs/kvk.md."""
