"""The bundled FastAPI range-serving peer (``rangeload serve``). Never imports Qt."""
