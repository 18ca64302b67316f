"""Reading the inputs, below parsing: bytes to text (``decode``), what one input may cost
(``limits``), table rows (``tables``), walking files and manifests (``walk``) and the raw input
types (``raw``)."""
