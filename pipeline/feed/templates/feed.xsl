<?xml version="1.0" encoding="UTF-8"?>
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:atom="http://www.w3.org/2005/Atom">
<xsl:output method="html" encoding="UTF-8" indent="yes"/>
<xsl:template match="/rss/channel">
<html lang="{language}">
<head><meta charset="utf-8"/><meta name="viewport" content="width=device-width, initial-scale=1"/>
<title><xsl:value-of select="title"/> (podcast feed)</title>
<style>body{font:1.05rem/1.6 system-ui,sans-serif;max-width:46rem;margin:0 auto;padding:1rem 1.25rem;color:#1b1f24;background:#fdfcf8}
a{color:#0b4f8a}.note{background:#eef4fb;padding:.75rem 1rem;border-radius:.4rem}input{width:100%;font:inherit;padding:.4rem}
li{margin:.75rem 0}</style></head>
<body><main>
<h1><xsl:value-of select="title"/></h1>
<p class="note">This is a podcast feed. To listen, copy its address into your podcast app.</p>
<label for="u">Feed address</label>
<input id="u" type="text" readonly="readonly" value="{atom:link[@rel='self']/@href}"/>
<p><xsl:value-of select="description"/></p>
<p><a href="index.html">Listen in the browser, with transcripts</a></p>
<h2>Episodes</h2>
<ol reversed="reversed">
<xsl:for-each select="item">
<li><a href="{link}"><xsl:value-of select="title"/></a> (<xsl:value-of select="pubDate"/>)
<xsl:text> </xsl:text><a href="{enclosure/@url}">MP3</a></li>
</xsl:for-each>
</ol>
</main></body></html>
</xsl:template>
</xsl:stylesheet>
