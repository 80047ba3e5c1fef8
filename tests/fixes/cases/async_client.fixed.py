import aiohttp


async def fetch_status(url):
    async with aiohttp.ClientSession() as session:
        resp = await session.get(url)
        status = resp.status
    return status
