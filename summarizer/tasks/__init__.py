"""The task kits that ship with the package: each a folder of one task's own code (claims/)."""
