"""The archive screen's parts (issue 12): the paper viewer, the dossier tree with thumbnails,
adding papers (files, drag and drop, a scanner), the checklist and the service adapter."""
