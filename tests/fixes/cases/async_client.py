import aiohttp


async def fetch_status(url):
    session = aiohttp.ClientSession()
    resp = await session.get(url)
    status = resp.status
    await session.close()
    return status
